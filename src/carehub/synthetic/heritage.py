"""Heritages: the latent background that keeps a synthetic survivor's name, language, faith and status coherent.

A survivor's ethnic group comes from the census; her heritage is drawn within it (an "Asian or Asian British:
Indian" woman may be of Gujarati, Punjabi or Tamil heritage), and the heritage then gives her name, first language,
religion, likely immigration status and the "led by and for" community she might ask for. The proportions are rough
but plausible for London; they exist to make the demo data coherent, not to describe anyone.
"""

from __future__ import annotations

from dataclasses import dataclass

from carehub.synthetic.codes import Community as C
from carehub.synthetic.codes import ImmigrationStatus as I
from carehub.synthetic.codes import Religion as R


@dataclass(frozen=True)
class Heritage:
    key: str
    women: tuple[str, ...]
    men: tuple[str, ...]
    family: tuple[str, ...]
    # First language: code -> weight (English included where many speak it first).
    languages: dict[str, float]
    religion: dict[str, float]
    immigration: str  # a key of IMMIGRATION_PROFILES
    community: str = ""  # the by-and-for community a survivor of this heritage might ask for
    # Relative likelihood of honour-based abuse / forced marriage, and of FGM, against a baseline of 1.
    honour: float = 1.0
    fgm: float = 0.0


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _family(text: str) -> tuple[str, ...]:
    return tuple(n.replace("_", " ") for n in text.split())


BRITISH_WOMEN = _names(
    "Olivia Amelia Emily Jessica Sophie Charlotte Hannah Lucy Chloe Emma Rebecca Laura Sarah Gemma Kelly Claire "
    "Nicola Lisa Joanne Michelle Karen Donna Stacey Kirsty Danielle Amy Holly Megan Jade Natalie Louise Zoe"
)
BRITISH_MEN = _names("James Daniel Thomas Matthew Christopher Lee Mark Paul Ryan Jack")
BRITISH_FAMILY = _family(
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker White Roberts "
    "Green Hall Wood Jackson Clarke Harris Lewis Turner Hill Cooper Ward Morris King Baker Harrison Morgan Allen "
    "Mitchell Parker Cook Bennett Carter Shaw Holmes Dawson"
)
CARIBBEAN_FAMILY = _family(
    "Campbell Brown Williams Francis Henry Thomas Grant Edwards Richards Morgan Clarke Johnson Bailey Reid Gordon "
    "Murray Stewart Powell Samuels Bennett"
)

HERITAGES: tuple[Heritage, ...] = (
    Heritage(
        "british", BRITISH_WOMEN, BRITISH_MEN, BRITISH_FAMILY, {"en": 1.0},
        {R.NO_RELIGION: 0.5, R.CHRISTIAN: 0.44, R.JEWISH: 0.03, R.OTHER: 0.03}, "british",
    ),
    Heritage(
        "irish",
        _names("Aoife Siobhan Niamh Ciara Orla Roisin Sinead Grainne Mairead Aisling Caoimhe Clodagh Deirdre Eimear"),
        _names("Sean Ciaran Declan Padraig Eoin"),
        _family("Murphy Kelly O'Sullivan Walsh O'Brien Byrne Ryan O'Connor O'Neill Doyle McCarthy Gallagher Doherty"),
        {"en": 1.0}, {R.CHRISTIAN: 0.7, R.NO_RELIGION: 0.3}, "irish",
    ),
    Heritage(
        "traveller",
        _names("Bridget Kathleen Mary Margaret Nora Winnie Chelsea Shannon Tiffany Rosie"),
        _names("Patrick Michael John Martin"),
        _family("Ward McDonagh Joyce Connors Maughan Doran Stokes Price Lee Smith Cash"),
        {"en": 1.0}, {R.CHRISTIAN: 0.9, R.NO_RELIGION: 0.1}, "british",
    ),
    Heritage(
        "roma",
        _names("Esmeralda Mirela Florentina Loredana Ramona Daniela Lenuta Violeta Zsanett Denisa"),
        _names("Marian Florin Ionut Costel"),
        _family("Lakatos Rostas Stoica Dumitru Balog Horvath Oláh Kovac Radu Ciurar"),
        {"ro": 0.7, "en": 0.15, "other": 0.15}, {R.CHRISTIAN: 0.9, R.NO_RELIGION: 0.1}, "eu",
        community=C.EAST_EUROPEAN,
    ),
    Heritage(
        "polish",
        _names("Agnieszka Katarzyna Magdalena Joanna Monika Anna Ewa Marta Aleksandra Karolina Justyna Paulina"),
        _names("Piotr Tomasz Krzysztof Pawel Marcin"),
        _family("Nowak Kowalska Wiśniewska Wójcik Kowalczyk Kamińska Lewandowska Zielińska Szymańska Woźniak"),
        {"pl": 0.75, "en": 0.25}, {R.CHRISTIAN: 0.8, R.NO_RELIGION: 0.2}, "eu", community=C.EAST_EUROPEAN,
    ),
    Heritage(
        "romanian",
        _names("Andreea Ioana Elena Alexandra Mihaela Cristina Georgiana Roxana Adriana Bianca Larisa Gabriela"),
        _names("Andrei Mihai Alexandru Bogdan Stefan"),
        _family("Popescu Ionescu Popa Constantin Stan Munteanu Gheorghe Moldovan Matei Lungu Dinu Barbu Nistor"),
        {"ro": 0.75, "en": 0.25}, {R.CHRISTIAN: 0.9, R.NO_RELIGION: 0.1}, "eu", community=C.EAST_EUROPEAN,
    ),
    Heritage(
        "lithuanian",
        _names("Rasa Jurgita Vaida Inga Egle Ruta Agne Lina Giedre Laura Aiste"),
        _names("Tomas Mantas Darius Andrius"),
        _family("Kazlauskiene Jankauskiene Petrauskiene Stankeviciene Vasiliauskiene Zukauskaite Butkute Paulauskiene"),
        {"lt": 0.7, "en": 0.2, "other": 0.1}, {R.CHRISTIAN: 0.75, R.NO_RELIGION: 0.25}, "eu",
        community=C.EAST_EUROPEAN,
    ),
    Heritage(
        "southern_european",
        _names("Giulia Francesca Chiara Ana Ines Beatriz Marta Lucia Carmen Sofia Mariana Catarina Alessia Elena"),
        _names("Marco Luca Joao Pedro Javier"),
        _family("Rossi Russo Ferrari Esposito Bianchi Silva Santos Ferreira Pereira Costa Garcia Martinez Lopez"),
        {"en": 0.35, "it": 0.3, "pt": 0.2, "es": 0.15}, {R.CHRISTIAN: 0.65, R.NO_RELIGION: 0.35}, "eu",
    ),
    Heritage(
        "other_european",
        _names("Marie Camille Lea Anna Hanna Sophie Katharina Eva Elif Maria Ingrid Ana Petra"),
        _names("Lukas Jan Nikos Stefan"),
        _family("Muller Schmidt Dubois Martin Bernard Jansen De_Vries Papadopoulou Novak Horvat Nagy Petrova Ivanova"),
        {"en": 0.45, "fr": 0.2, "other": 0.35}, {R.CHRISTIAN: 0.5, R.NO_RELIGION: 0.45, R.JEWISH: 0.05}, "eu",
    ),
    Heritage(
        "turkish_kurdish",
        _names("Ayse Fatma Elif Zeynep Emine Hatice Merve Esra Derya Songul Rojda Berfin Dilan Zozan Hevin"),
        _names("Mehmet Ahmet Mustafa Baran Ali"),
        _family("Yilmaz Kaya Demir Sahin Celik Yildiz Aydin Ozturk Arslan Dogan Kilic Aslan Cetin Polat"),
        {"tr": 0.5, "ku": 0.25, "en": 0.25}, {R.MUSLIM: 0.8, R.NO_RELIGION: 0.15, R.OTHER: 0.05}, "migrant_settled",
        community=C.MIDDLE_EASTERN, honour=4.0,
    ),
    Heritage(
        "bangladeshi",
        _names("Fatema Nasima Shirin Rehana Ruksana Sultana Taslima Jahanara Shamima Halima Rumana Nazia Sumaya"),
        _names("Abdul Mohammed Rahim Shahid Kamal"),
        _family("Begum Khatun Rahman Ahmed Uddin Miah Hussain Islam Chowdhury Ali Hoque Akhtar Bibi Khanom"),
        {"bn": 0.55, "en": 0.45}, {R.MUSLIM: 0.93, R.NO_RELIGION: 0.03, R.HINDU: 0.04}, "commonwealth",
        community=C.SOUTH_ASIAN, honour=5.0,
    ),
    Heritage(
        "pakistani",
        _names("Ayesha Sana Fatima Mariam Hina Saima Rabia Nadia Amina Zainab Uzma Bushra Farah Samina Iqra"),
        _names("Imran Asif Bilal Tariq Usman"),
        _family("Khan Hussain Ahmed Ali Iqbal Malik Butt Shah Mahmood Akhtar Qureshi Raza Bibi Mirza Sheikh"),
        {"ur": 0.4, "pa": 0.15, "en": 0.45}, {R.MUSLIM: 0.95, R.NO_RELIGION: 0.03, R.CHRISTIAN: 0.02}, "commonwealth",
        community=C.SOUTH_ASIAN, honour=5.0,
    ),
    Heritage(
        "gujarati",
        _names("Priya Nisha Hetal Jaya Mital Pooja Dipti Komal Reshma Bhavna Sejal Kinjal Nikita Rupal"),
        _names("Rakesh Nilesh Hitesh Sanjay"),
        _family("Patel Shah Mistry Parmar Solanki Chauhan Joshi Desai Mehta Modi Thakkar Lad Vaghela"),
        {"gu": 0.35, "hi": 0.1, "en": 0.55}, {R.HINDU: 0.75, R.MUSLIM: 0.15, R.NO_RELIGION: 0.05, R.OTHER: 0.05},
        "commonwealth", community=C.SOUTH_ASIAN, honour=2.5,
    ),
    Heritage(
        "punjabi",
        _names("Harpreet Manpreet Jaspreet Gurpreet Simran Rajinder Kulwinder Amandeep Navdeep Parminder Sukhjit"),
        _names("Harjit Gurdeep Jaswinder Ravinder"),
        _family("Singh Kaur Sandhu Gill Dhillon Sidhu Bains Grewal Johal Sahota Virdi Chahal Sharma Kumar"),
        {"pa": 0.4, "hi": 0.1, "en": 0.5}, {R.SIKH: 0.6, R.HINDU: 0.3, R.NO_RELIGION: 0.05, R.MUSLIM: 0.05},
        "commonwealth", community=C.SOUTH_ASIAN, honour=3.0,
    ),
    Heritage(
        "tamil",
        _names("Kavitha Tharshini Nirmala Sangeetha Lakshmi Vasuki Priyanka Divya Meena Shanthi Anitha Thulasi"),
        _names("Suresh Ganesh Rajan Kumaran"),
        _family("Sivakumar Nadarajah Thangarajah Selvarajah Kandiah Balasubramaniam Rajendran Murugan Pillai"),
        {"ta": 0.6, "en": 0.4}, {R.HINDU: 0.7, R.CHRISTIAN: 0.25, R.NO_RELIGION: 0.05}, "refugee_origin",
        community=C.SOUTH_ASIAN, honour=1.5,
    ),
    Heritage(
        "chinese",
        _names("Mei Li Xiaoling Yan Jing Hui Ying Wei Ling Fang Xin Yun Siu"),
        _names("Wei Jun Hao Ming"),
        _family("Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Lin Chan Wong Cheung Lau"),
        {"other": 0.55, "en": 0.45}, {R.NO_RELIGION: 0.6, R.BUDDHIST: 0.15, R.CHRISTIAN: 0.2, R.OTHER: 0.05},
        "recent_migrant",
    ),
    Heritage(
        "south_east_asian",
        _names("Maria Jocelyn Rowena Marites Rosalie Thi Lan Huong Linh Ngoc Mai Siriporn Malee Dewi"),
        _names("Jose Nguyen Minh Arnel"),
        _family("Santos Reyes Cruz Bautista Garcia Mendoza Nguyen Tran Le Pham Hoang Somchai Wijaya"),
        {"other": 0.55, "en": 0.45}, {R.CHRISTIAN: 0.55, R.BUDDHIST: 0.3, R.NO_RELIGION: 0.1, R.MUSLIM: 0.05},
        "recent_migrant",
    ),
    Heritage(
        "afghan_iranian",
        _names("Maryam Zahra Parisa Shirin Fereshteh Nasrin Laleh Roya Soraya Mahnaz Freshta Nilofar Zarghona"),
        _names("Reza Ahmad Farid Hamid"),
        _family("Ahmadi Hosseini Rezaei Mohammadi Karimi Rahimi Jafari Sadeghi Hashemi Azizi Noori Popal Sultani"),
        {"fa": 0.75, "en": 0.25}, {R.MUSLIM: 0.85, R.NO_RELIGION: 0.1, R.OTHER: 0.05}, "refugee_origin",
        community=C.MIDDLE_EASTERN, honour=3.5,
    ),
    Heritage(
        "nigerian",
        _names("Adaeze Chioma Ngozi Funmilayo Folake Oluwaseun Yetunde Abimbola Nkechi Temitope Bukola Amaka Ifeoma"),
        _names("Oluwaseun Chukwuemeka Babatunde Femi"),
        _family("Okafor Adeyemi Okonkwo Balogun Adebayo Eze Nwosu Ogunleye Olawale Afolabi Ibrahim Okeke Oyelaran"),
        {"en": 0.7, "yo": 0.25, "other": 0.05}, {R.CHRISTIAN: 0.8, R.MUSLIM: 0.17, R.NO_RELIGION: 0.03},
        "recent_migrant", community=C.BLACK_MINORITISED, fgm=1.0,
    ),
    Heritage(
        "ghanaian",
        _names("Akosua Abena Ama Efua Adwoa Yaa Afua Esi Akua Serwaa Nana Gifty Comfort"),
        _names("Kwame Kofi Kwabena Yaw"),
        _family("Mensah Owusu Asante Boateng Osei Agyeman Appiah Amoah Addo Darko Ofori Frimpong"),
        {"en": 0.7, "tw": 0.3}, {R.CHRISTIAN: 0.88, R.MUSLIM: 0.1, R.NO_RELIGION: 0.02}, "recent_migrant",
        community=C.BLACK_MINORITISED, fgm=0.5,
    ),
    Heritage(
        "somali",
        _names("Hodan Faduma Ayaan Sahra Hibo Ifrah Deeqa Nimco Ubah Khadra Ladan Sagal Asha Hawa"),
        _names("Abdirahman Mohamed Abdullahi Hassan"),
        _family("Mohamed Abdi Hassan Ali Farah Osman Warsame Jama Ahmed Yusuf Noor Omar Nur Aden"),
        {"so": 0.7, "en": 0.25, "ar": 0.05}, {R.MUSLIM: 0.97, R.NO_RELIGION: 0.03}, "refugee_origin",
        community=C.BLACK_MINORITISED, honour=3.0, fgm=8.0,
    ),
    Heritage(
        "eritrean_ethiopian",
        _names("Selam Helen Mekdes Hiwet Saba Senait Tigist Meron Rahel Yordanos Luwam Winta"),
        _names("Dawit Yonas Tesfay Berhane"),
        _family("Tesfaye Ghebremedhin Haile Berhe Kidane Tekle Gebreyesus Woldemichael Asfaha Mebrahtu Tsegay"),
        {"ti": 0.6, "other": 0.15, "en": 0.25}, {R.CHRISTIAN: 0.8, R.MUSLIM: 0.18, R.NO_RELIGION: 0.02},
        "refugee_origin", community=C.BLACK_MINORITISED, fgm=4.0,
    ),
    Heritage(
        "francophone_african",
        _names("Aminata Fatoumata Mariam Awa Grace Esther Chantal Nadege Clarisse Josiane Rokia Aissatou"),
        _names("Mamadou Jean Moussa Patrick"),
        _family("Diallo Traore Kone Camara Diop Ndiaye Mbala Kabongo Nkounkou Tshibangu Ilunga Sylla Keita"),
        {"fr": 0.6, "en": 0.2, "other": 0.2}, {R.CHRISTIAN: 0.55, R.MUSLIM: 0.42, R.NO_RELIGION: 0.03},
        "refugee_origin", community=C.BLACK_MINORITISED, fgm=3.0,
    ),
    Heritage(
        "caribbean",
        _names("Marcia Beverley Sharon Paulette Yvonne Simone Tanisha Shanice Kayla Jasmine Chantelle Keisha Janelle"),
        _names("Delroy Winston Marcus Tyrone"),
        CARIBBEAN_FAMILY,
        {"en": 1.0}, {R.CHRISTIAN: 0.7, R.NO_RELIGION: 0.25, R.OTHER: 0.05}, "commonwealth",
        community=C.BLACK_MINORITISED,
    ),
    Heritage(
        "mixed",
        BRITISH_WOMEN[:16] + _names("Maya Aaliyah Leila Jasmine Amara Nia Layla Kiara Ella Zara"),
        BRITISH_MEN[:4] + _names("Jayden Tyler Malik"),
        BRITISH_FAMILY[:20] + CARIBBEAN_FAMILY[:8] + _family("Khan Patel Okafor Mensah Ali Chen Silva"),
        {"en": 1.0}, {R.NO_RELIGION: 0.45, R.CHRISTIAN: 0.4, R.MUSLIM: 0.12, R.OTHER: 0.03}, "british",
    ),
    Heritage(
        "arab",
        _names("Fatima Mariam Noor Layla Huda Rania Samira Yasmin Dalia Amal Rasha Hanan Salma Lina Reem"),
        _names("Mohammed Ahmed Omar Khalid"),
        _family("Al-Hassan Haddad Mansour Khalil Nasser Saleh Abdullah Ibrahim Hamdan Aziz Al-Masri Darwish Suleiman"),
        {"ar": 0.65, "en": 0.35}, {R.MUSLIM: 0.85, R.CHRISTIAN: 0.1, R.NO_RELIGION: 0.05}, "refugee_origin",
        community=C.MIDDLE_EASTERN, honour=4.0, fgm=1.5,
    ),
    Heritage(
        "latin_american",
        _names("Daniela Valentina Camila Gabriela Mariana Paola Carolina Andrea Luciana Fernanda Juliana Ana Paula"),
        _names("Carlos Diego Luis Rafael"),
        _family("Rodriguez Gonzalez Hernandez Perez Gomez Diaz Ramirez Torres Flores Oliveira Souza Alves Lima Rocha"),
        {"es": 0.5, "pt": 0.3, "en": 0.2}, {R.CHRISTIAN: 0.8, R.NO_RELIGION: 0.2}, "recent_migrant",
        community=C.LATIN_AMERICAN,
    ),
)  # fmt: skip

HERITAGE_INDEX: dict[str, int] = {h.key: i for i, h in enumerate(HERITAGES)}

# Within each ONS ethnic category, the heritages a London survivor might have (weights).
ETHNICITY_HERITAGES: dict[str, dict[str, float]] = {
    "asian_bangladeshi": {"bangladeshi": 1.0},
    "asian_chinese": {"chinese": 1.0},
    "asian_indian": {"gujarati": 0.45, "punjabi": 0.35, "tamil": 0.2},
    "asian_pakistani": {"pakistani": 1.0},
    "asian_other": {"tamil": 0.35, "south_east_asian": 0.3, "afghan_iranian": 0.25, "chinese": 0.1},
    "black_african": {
        "nigerian": 0.35, "ghanaian": 0.2, "somali": 0.2, "eritrean_ethiopian": 0.1, "francophone_african": 0.15,
    },
    "black_caribbean": {"caribbean": 1.0},
    "black_other": {"caribbean": 0.6, "nigerian": 0.2, "ghanaian": 0.1, "somali": 0.1},
    "mixed_white_asian": {"mixed": 1.0},
    "mixed_white_black_african": {"mixed": 1.0},
    "mixed_white_black_caribbean": {"mixed": 1.0},
    "mixed_other": {"mixed": 1.0},
    "white_british": {"british": 1.0},
    "white_irish": {"irish": 1.0},
    "white_gypsy_traveller": {"traveller": 1.0},
    "white_roma": {"roma": 1.0},
    "white_other": {
        "polish": 0.2, "romanian": 0.2, "lithuanian": 0.06, "southern_european": 0.22, "other_european": 0.2,
        "turkish_kurdish": 0.12,
    },
    "other_arab": {"arab": 1.0},
    "other_any": {
        "latin_american": 0.35, "afghan_iranian": 0.2, "turkish_kurdish": 0.2, "south_east_asian": 0.15, "arab": 0.1,
    },
}  # fmt: skip

# Immigration status by profile. Insecure statuses are a real share of London's survivors: NRPF above all.
IMMIGRATION_PROFILES: dict[str, dict[str, float]] = {
    "british": {I.BRITISH_IRISH: 0.97, I.SETTLED: 0.02, I.UNKNOWN: 0.01},
    "irish": {I.BRITISH_IRISH: 0.97, I.SETTLED: 0.02, I.UNKNOWN: 0.01},
    "commonwealth": {
        I.BRITISH_IRISH: 0.76, I.SETTLED: 0.1, I.LIMITED_LEAVE: 0.04, I.LIMITED_LEAVE_NRPF: 0.06,
        I.NO_CURRENT_LEAVE: 0.01, I.UNKNOWN: 0.03,
    },
    "eu": {
        I.BRITISH_IRISH: 0.12, I.SETTLED: 0.45, I.EUSS_PRE_SETTLED: 0.27, I.LIMITED_LEAVE: 0.03,
        I.NO_CURRENT_LEAVE: 0.07, I.UNKNOWN: 0.06,
    },
    "migrant_settled": {
        I.BRITISH_IRISH: 0.5, I.SETTLED: 0.2, I.LIMITED_LEAVE: 0.06, I.LIMITED_LEAVE_NRPF: 0.1, I.ASYLUM_SEEKER: 0.04,
        I.REFUGEE: 0.04, I.NO_CURRENT_LEAVE: 0.03, I.UNKNOWN: 0.03,
    },
    "recent_migrant": {
        I.BRITISH_IRISH: 0.36, I.SETTLED: 0.18, I.LIMITED_LEAVE: 0.08, I.LIMITED_LEAVE_NRPF: 0.2,
        I.ASYLUM_SEEKER: 0.04, I.REFUGEE: 0.03, I.NO_CURRENT_LEAVE: 0.06, I.UNKNOWN: 0.05,
    },
    "refugee_origin": {
        I.BRITISH_IRISH: 0.34, I.SETTLED: 0.12, I.REFUGEE: 0.2, I.ASYLUM_SEEKER: 0.12, I.LIMITED_LEAVE: 0.05,
        I.LIMITED_LEAVE_NRPF: 0.06, I.NO_CURRENT_LEAVE: 0.05, I.UNKNOWN: 0.06,
    },
}  # fmt: skip

STREETS = _family(
    "Albert_Road Victoria_Road Church_Street High_Street Station_Road Park_Road Mill_Lane Queens_Road Kings_Road "
    "Grove_Road Manor_Road Springfield_Road Cedar_Close Elm_Grove Mayfield_Avenue Orchard_Close Windsor_Road "
    "Chestnut_Avenue Beech_Road Highfield_Road Stanley_Road Clarence_Road Cromwell_Road Nelson_Road Warwick_Road "
    "York_Road Lansdowne_Road Milton_Road Shakespeare_Road Gladstone_Road Denmark_Road Brook_Street Market_Street "
    "Chapel_Road Hamilton_Road Lime_Grove Willow_Walk Rosebery_Avenue Tennyson_Road Wellington_Road"
)
